(function(){
var f=document.getElementById("sv");
if(!f||!window.fetch||!window.FormData||!window.localStorage)return;
f.noValidate=true;
var key="sv:"+location.pathname,tf=f.elements["{{ token_field }}"],net=document.getElementById("net");
var groups=[].slice.call(f.querySelectorAll("fieldset"));
var bar=document.getElementById("bar"),fill=bar.querySelector("span"),txt=document.getElementById("bar-t");
var busy=false,retry=null,cm=document.getElementById("comment"),cc=document.getElementById("cc");
function val(n){var c=f.querySelector("input[name='"+n+"']:checked");return c?c.value:"";}
function name(g){return g.id.slice(2);}
function applies(g){
 var r=g.getAttribute("data-if");if(!r)return true;
 return r.split(";").every(function(c){var p=c.split("=");return p[1].split(",").indexOf(val(p[0]))>=0;});
}
function mark(g,m){g.className="card"+(m?" err":"");document.getElementById("m-"+name(g)).textContent=m||"";
 if(m)g.setAttribute("aria-invalid","true");else g.removeAttribute("aria-invalid");}
function missing(g){return g.hasAttribute("data-item")?"请选择一项（不清楚可选“不了解”）":"请选择一项";}
function show(g){g.scrollIntoView();var i=g.querySelector("input,textarea");if(i)i.focus({preventScroll:true});}
function refresh(){
 var shown=0,done=0;
 groups.forEach(function(g){var on=applies(g);g.hidden=!on;
  [].forEach.call(g.querySelectorAll("input"),function(i){i.disabled=!on;});
  // Number the shown questions only, so a hidden conditional question leaves no gap.
  if(on){shown++;g.querySelector("legend .n").textContent=shown;if(val(name(g))){done++;if(g.className.indexOf("err")>=0)mark(g,"");}}});
 bar.style.display="block";fill.style.width=(100*done/shown)+"%";txt.textContent="已完成 "+done+" / "+shown+" 题";
}
function save(){
 var a={};groups.forEach(function(g){var v=val(name(g));if(v)a[name(g)]=v;});
 try{localStorage.setItem(key,JSON.stringify({t:tf.value,a:a,c:cm?cm.value:""}));}catch(e){}
}
// The open question: how much is written, its error cleared once it fits, kept on the phone as typed.
function count(){cc.textContent=cm.value?"（已写 "+cm.value.length+" / "+cm.maxLength+" 字）":"";
 var w=document.getElementById("f-comment");if(w.className.indexOf("err")>=0&&cm.value.length<=cm.maxLength)mark(w,"");}
var resend=false;
try{var s=JSON.parse(localStorage.getItem(key)||"null");
 if(s){if(s.t)tf.value=s.t;resend=!!s.r;Object.keys(s.a).forEach(function(n){var i=f.querySelector("input[name='"+n+"'][value='"+s.a[n]+"']");if(i)i.checked=true;});
 if(s.c&&cm&&!cm.value)cm.value=s.c;}
}catch(e){}
f.addEventListener("change",function(){refresh();save();});
if(cm){cm.addEventListener("input",function(){count();save();});count();}
function say(m){net.textContent=m;net.style.display=m?"block":"none";}
function send(){
 if(busy)return;busy=true;clearTimeout(retry);say("正在提交，请稍候……");
 fetch(location.pathname,{method:"POST",body:new FormData(f),credentials:"same-origin",headers:{"X-Requested-With":"fetch"}})
 .then(function(r){return r.json().then(function(j){return [r.status,j];});})
 .then(function(x){busy=false;var j=x[1];
  if(x[0]===200&&j.ok){localStorage.removeItem(key);location.replace(j.redirect);return;}
  if(x[0]===422){say(j.message);var first=null;
   Object.keys(j.errors).forEach(function(n){var g=document.getElementById("f-"+n);if(g){mark(g,j.errors[n]);first=first||g;}});
   if(first)show(first);return;}
  if(x[0]>=500)throw new Error("server");
  if(x[0]===400&&j.renew&&!resend){renew();return;}
  if(j.drop)localStorage.removeItem(key);
  say(j.message);})
 .catch(function(){busy=false;
  say("网络不稳定，提交没有成功。答案已保存在手机上，网络恢复后会自动重新提交，您也可以再次点击“提交问卷”。");
  retry=setTimeout(send,15000);});
}
// The form token was refused (expired, or the server's key changed): keep the answers, drop the
// token, and reload for a fresh form that sends them again.
function renew(){save();try{var s=JSON.parse(localStorage.getItem(key));s.t="";s.r=1;localStorage.setItem(key,JSON.stringify(s));}catch(e){}
 location.reload();}
window.addEventListener("online",function(){if(net.style.display==="block"&&!busy)send();});
f.addEventListener("submit",function(e){
 e.preventDefault();var first=null;
 groups.forEach(function(g){if(applies(g)&&!val(name(g))){mark(g,missing(g));first=first||g;}});
 if(first){say("");show(first);return;}
 save();send();
});
refresh();
if(resend){save();send();}
})();
